#include "core/meta/store.hpp"

#include <future>

namespace shoal::meta {

Store::Store(const std::filesystem::path& dir, const StoreOptions& options) : max_group_(options.max_group) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw MetaError("metadata store " + dir.string() + ": cannot create directory: " + ec.message());
    env_ = std::make_unique<Env>(dir.string(), options.map_size, 16);
    Txn txn(*env_, Txn::read_write);
    tables_.system = txn.open_db("system", MDB_CREATE);
    tables_.buckets = txn.open_db("buckets", MDB_CREATE);
    tables_.namespaces = txn.open_db("namespaces", MDB_CREATE);
    tables_.versions = txn.open_db("versions", MDB_CREATE);
    tables_.current = txn.open_db("current", MDB_CREATE);
    tables_.uploads = txn.open_db("uploads", MDB_CREATE);
    tables_.upload_keys = txn.open_db("upload_keys", MDB_CREATE);
    tables_.parts = txn.open_db("parts", MDB_CREATE);
    txn.commit();
    committer_ = std::thread([this] { run(); });
}

Store::~Store() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    ready_.notify_all();
    committer_.join();
}

void Store::submit(Mutation mutation, Completion done) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(Pending{std::move(mutation), std::move(done)});
    }
    ready_.notify_one();
}

void Store::write(Mutation mutation) {
    std::promise<void> finished;
    submit(std::move(mutation), [&finished](std::exception_ptr error) {
        if (error) {
            finished.set_exception(error);
        } else {
            finished.set_value();
        }
    });
    finished.get_future().get();
}

std::uint64_t Store::commits() const {
    std::lock_guard lock(mutex_);
    return commits_;
}

void Store::run() {
    while (true) {
        std::deque<Pending> group;
        {
            std::unique_lock lock(mutex_);
            ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and nothing left to do
            while (!queue_.empty() && group.size() < max_group_) {
                group.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        std::vector<std::exception_ptr> errors(group.size());
        std::exception_ptr commit_error;
        try {
            Txn txn(*env_, Txn::read_write);
            for (std::size_t i = 0; i < group.size(); ++i) {
                try {
                    Txn nested(txn);
                    Catalog catalog(nested, tables_);
                    group[i].mutation(catalog);
                    nested.commit();
                } catch (...) {
                    errors[i] = std::current_exception();  // the nested transaction was aborted
                }
            }
            txn.commit();  // one sync for the whole group
        } catch (...) {
            commit_error = std::current_exception();
        }
        {
            std::lock_guard lock(mutex_);
            ++commits_;
        }
        for (std::size_t i = 0; i < group.size(); ++i) {
            group[i].done(commit_error ? commit_error : errors[i]);
        }
    }
}

}  // namespace shoal::meta
