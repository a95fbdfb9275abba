//! The secrets of authentication: random tokens, their digests, and password hashes.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// A new random secret: 32 bytes from the operating system, URL-safe base64 (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored in place of a token: its SHA-256, hex. Tokens are 256 random bits, so a
/// fast digest is enough (unlike passwords, they cannot be guessed from a dictionary).
pub fn digest(token: &str) -> String {
    let hash = Sha256::digest(token.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// An argon2id hash of `password` (PHC string, with its salt and parameters). Takes tens of
/// milliseconds and 19 MiB on purpose; runs on the password workers.
pub async fn hash_password(password: String) -> String {
    workers()
        .run(move |argon2| {
            argon2
                .hash_password(password.as_bytes())
                .expect("argon2 with default parameters hashes any password up to the policy's length")
                .to_string()
        })
        .await
}

/// Whether `password` matches `hash`. A malformed hash never matches.
pub async fn verify_password(password: String, hash: String) -> bool {
    workers()
        .run(move |argon2| argon2.verify_password(password.as_bytes(), hash.as_str()).is_ok())
        .await
}

/// How many passwords are hashed or checked at once.
const PASSWORD_WORKERS: usize = 2;

type Job = Box<dyn FnOnce(&Argon2<'static>) + Send>;

/// A few threads of their own that do all password hashing, one password at a time each.
///
/// Each argon2 computation takes 19 MiB. On tokio's blocking pool every thread would make and
/// free those blocks in its own allocator arena, and the allocator keeps what arenas once
/// held: resident memory grew to hundreds of megabytes under a burst of logins. Here memory
/// stays at most `PASSWORD_WORKERS` blocks, and a flood of logins waits in line instead of
/// taking every core and all memory. (Written by hand: a bounded pool of threads fed by a
/// channel is a few lines; no crate does this with less.)
struct Workers {
    jobs: tokio::sync::mpsc::Sender<Job>,
}

impl Workers {
    fn start() -> Workers {
        let (jobs, queue) = tokio::sync::mpsc::channel::<Job>(1024);
        let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
        for n in 0..PASSWORD_WORKERS {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("password-{n}"))
                .spawn(move || {
                    let argon2 = Argon2::default();
                    // One worker waits on the queue at a time; the others wait for the lock.
                    while let Some(job) = queue.lock().ok().and_then(|mut queue| queue.blocking_recv()) {
                        job(&argon2);
                    }
                })
                .expect("the password worker thread starts");
        }
        Workers { jobs }
    }

    /// Runs `work` on a worker and waits for its result without blocking the runtime.
    async fn run<T: Send + 'static>(&self, work: impl FnOnce(&Argon2<'static>) -> T + Send + 'static) -> T {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |argon2| {
            let _ = done.send(work(argon2));
        });
        self.jobs
            .send(job)
            .await
            .expect("the password workers run as long as the process");
        result.await.expect("a password job always answers")
    }
}

fn workers() -> &'static Workers {
    static WORKERS: std::sync::OnceLock<Workers> = std::sync::OnceLock::new();
    WORKERS.get_or_init(Workers::start)
}

/// A hash no password matches, verified when a login names no user, so that answering takes
/// as long whether or not the user exists.
pub async fn dummy_hash() -> &'static str {
    static DUMMY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DUMMY.get_or_init(|| hash_password(random_token())).await.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn passwords_verify_against_their_own_hash_only() {
        let hash = hash_password("correct horse battery".into()).await;
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery".into(), hash.clone()).await);
        assert!(!verify_password("correct horse batterY".into(), hash).await);
        assert!(!verify_password("anything".into(), "not a hash".into()).await);
    }

    #[test]
    fn tokens_are_random_and_digests_stable() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(digest(&a), digest(&a));
        assert_eq!(digest(&a).len(), 64);
        assert_ne!(digest(&a), digest(&b));
    }
}
