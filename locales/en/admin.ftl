# Counted strings of the admin pages (Project Fluent: `$count` picks the form).

# The dashboard's media rows; $size is already written out (see `admin.bytes`).
files_and_bytes = { $count ->
    [one] { $count } file, { $size }
   *[other] { $count } files, { $size }
}
bytes = { $count ->
    [one] { $count } byte
   *[other] { $count } bytes
}
gc_freed = { $count ->
    [one] The media GC deleted { $count } file and freed { $size }.
   *[other] The media GC deleted { $count } files and freed { $size }.
}
# The audit log's detail of a deleted account: how many posts went with it.
post_count = { $count ->
    [one] { $count } post
   *[other] { $count } posts
}
# The page that asks before an address's pending invitations are revoked.
revoke_question = { $count ->
    [one] Revoke the invitation for { $email }?
   *[other] Revoke the { $count } invitations for { $email }?
}
