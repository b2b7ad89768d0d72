//! A fixed set of hashing threads, each keeping its Argon2 working memory between hashes.
//!
//! Argon2id at the OWASP parameters fills 19 MiB per hash. Allocating, zeroing and faulting
//! that in for every sign-in cost about a quarter of the hash itself, and the freed memory was
//! not returned to the system, so the resident size grew with the number of blocking threads
//! that ever hashed. Here exactly `threads` buffers exist, for the life of the provider.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use argon2::Block;

/// Work run on a hashing thread with that thread's reusable memory.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

#[derive(Clone)]
pub(super) struct HashPool {
    jobs: Sender<Job>,
}

impl HashPool {
    pub(super) fn new(threads: usize) -> std::io::Result<Self> {
        let (jobs, queue) = channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads.max(1) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("yagona-argon2-{n}"))
                .spawn(move || work(&queue))?;
        }
        Ok(Self { jobs })
    }

    /// Runs `job` on a hashing thread and waits for its answer. `None` when the pool is gone.
    pub(super) async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Option<T> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let span = tracing::Span::current();
        let boxed: Job = Box::new(move |memory| {
            let result = span.in_scope(|| job(memory));
            let _ = reply.send(result);
        });
        self.jobs.send(boxed).ok()?;
        answer.await.ok()
    }
}

/// A hashing thread: takes jobs until every sender is gone.
fn work(queue: &Mutex<Receiver<Job>>) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        // The lock is held only while waiting for the next job, never while hashing.
        let next = match queue.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match next {
            Ok(job) => job(&mut memory),
            Err(_) => return,
        }
    }
}
