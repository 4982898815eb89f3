//! Typed text values in SQLite: written as their text, read back through `FromStr`,
//! so a value from the database is checked like one typed by a user.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use super::{CommentStatus, Email, Kind, Role, Slug, Tag};

macro_rules! stored_as_text {
    ($($ty:ty),*) => {$(
        impl ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $ty {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                value
                    .as_str()?
                    .parse()
                    .map_err(|err| FromSqlError::Other(Box::new(err)))
            }
        }
    )*};
}

stored_as_text!(CommentStatus, Email, Kind, Role, Slug, Tag);
