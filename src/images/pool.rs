//! The threads renditions are made on: a fixed few, one per permitted render. Each thread a
//! render ever ran on keeps its own malloc arena, so renders on the async runtime's growing
//! blocking pool left hundreds of megabytes of freed-but-held memory after a burst of new
//! sizes (measured: +449 MB for 200 renditions); a fixed pool keeps it to a few arenas.

use std::sync::{mpsc, Arc, Mutex};

type Job = Box<dyn FnOnce() + Send + 'static>;

#[derive(Debug)]
pub struct RenderPool {
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl RenderPool {
    /// Starts `threads` threads; they end when the pool is dropped.
    pub fn new(threads: usize) -> std::io::Result<Self> {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for index in 0..threads.max(1) {
            let receiver = receiver.clone();
            std::thread::Builder::new()
                .name(format!("khabar-render-{index}"))
                .spawn(move || loop {
                    // The lock is held only while waiting for the next job, not while it runs.
                    let job = match receiver.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                })?;
        }
        Ok(RenderPool {
            jobs: Mutex::new(sender),
        })
    }

    /// Runs `work` on a pool thread; the answer arrives through the returned receiver (which
    /// reports an error if the work panicked).
    pub fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> tokio::sync::oneshot::Receiver<T> {
        let (answer, receiver) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = answer.send(work());
        });
        if let Ok(jobs) = self.jobs.lock() {
            // Fails only once every thread has ended; the dropped answer then reports it.
            let _ = jobs.send(job);
        }
        receiver
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn work_runs_on_the_pool_and_a_panic_is_reported() {
        let pool = super::RenderPool::new(2).unwrap();
        let name = pool
            .run(|| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap();
        assert!(name.unwrap().starts_with("khabar-render-"));
        assert!(pool.run(|| -> u8 { panic!("a bad render") }).await.is_err());
        assert_eq!(pool.run(|| 7).await.unwrap(), 7, "the pool survives a panic");
    }
}
