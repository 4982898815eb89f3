//! What changed between two revisions, word by word (the `similar` crate's diff of
//! words), as plain pieces a view marks up: kept, removed, added.

use similar::{ChangeTag, TextDiff};

/// One run of words and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Same(String),
    Removed(String),
    Added(String),
}

/// The words of `to` against those of `from`, runs of the same kind merged.
pub fn words(from: &str, to: &str) -> Vec<Piece> {
    let diff = TextDiff::from_words(from, to);
    let mut pieces: Vec<Piece> = Vec::new();
    for change in diff.iter_all_changes() {
        let text = change.value();
        match (pieces.last_mut(), change.tag()) {
            (Some(Piece::Same(run)), ChangeTag::Equal)
            | (Some(Piece::Removed(run)), ChangeTag::Delete)
            | (Some(Piece::Added(run)), ChangeTag::Insert) => run.push_str(text),
            (_, ChangeTag::Equal) => pieces.push(Piece::Same(text.to_string())),
            (_, ChangeTag::Delete) => pieces.push(Piece::Removed(text.to_string())),
            (_, ChangeTag::Insert) => pieces.push(Piece::Added(text.to_string())),
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_words_are_marked_and_the_rest_kept() {
        let pieces = words("the quick brown fox", "the slow brown fox jumps");
        assert_eq!(
            pieces,
            [
                Piece::Same("the ".into()),
                Piece::Removed("quick".into()),
                Piece::Added("slow".into()),
                Piece::Same(" brown fox".into()),
                Piece::Added(" jumps".into()),
            ]
        );
        assert_eq!(words("같은 글", "같은 글"), [Piece::Same("같은 글".into())]);
    }
}
