//! An error told with its causes, for logs and dead letters.

use std::error::Error;

/// `error` and every cause under it, outermost first: "the inventory database failed: pool
/// timed out". Error types keep their causes as sources rather than in their own message, so a
/// log line needs this to say what actually went wrong. (The standard library's iterator over
/// sources is not stable yet, and anyhow's `{:#}` would need the error by value.)
pub fn with_causes(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outer(std::io::Error);

    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("the sales database failed")
        }
    }

    impl Error for Outer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn causes_follow_the_error() {
        let e = Outer(std::io::Error::other("connection reset"));
        assert_eq!(with_causes(&e), "the sales database failed: connection reset");
        assert_eq!(with_causes(&e.0), "connection reset");
    }
}
