//! Free text a person types: names, notes, descriptions.
//!
//! The rules are simple enough to state exactly in an API document: at most a number of
//! characters as sent (before trimming), no control characters (a paragraph may hold line
//! breaks and tabs), and, where a value is required, at least one character that is not
//! white space. The value kept is trimmed; blank optional text means none.

/// A single line (a name, a category, a reference): at most `max` characters, no control
/// characters; blank means none.
pub fn line(raw: &str, max: usize) -> Result<Option<String>, String> {
    checked(raw, max, false)
}

/// A single line that must not be blank.
pub fn required_line(raw: &str, max: usize) -> Result<String, String> {
    line(raw, max)?.ok_or_else(|| "must not be blank".to_owned())
}

/// A paragraph (a description, a note): like [`line`], but line breaks and tabs are allowed.
pub fn paragraph(raw: &str, max: usize) -> Result<Option<String>, String> {
    checked(raw, max, true)
}

fn checked(raw: &str, max: usize, multiline: bool) -> Result<Option<String>, String> {
    if raw.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    let allowed = |c: char| !c.is_control() || (multiline && matches!(c, '\n' | '\r' | '\t'));
    if !raw.chars().all(allowed) {
        return Err("must not contain control characters".into());
    }
    let trimmed = raw.trim();
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(line("  Graphics Cards ", 100), Ok(Some("Graphics Cards".into())));
        assert_eq!(line(" \u{3000} ", 100), Ok(None), "Unicode blanks are blank");
        assert!(required_line(" \t", 100).is_err());
        assert!(line("two\nlines", 100).is_err());
        assert!(line("nul\0", 100).is_err());
        assert!(
            line("c1 \u{85}", 100).is_err(),
            "C1 controls are control characters"
        );
        // The length is the text as sent, so an API document can state it exactly.
        assert!(line(&format!(" {}", "x".repeat(100)), 100).is_err());
        assert_eq!(line(&"é".repeat(100), 100).unwrap().unwrap().chars().count(), 100);
    }

    #[test]
    fn paragraphs_may_break_lines() {
        assert_eq!(paragraph(" one\r\n\ttwo ", 50), Ok(Some("one\r\n\ttwo".into())));
        assert!(paragraph("bell\u{7}", 50).is_err());
    }
}
