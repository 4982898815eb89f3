# Counted strings of the comments (Project Fluent: `$count` picks the form).

# Above a post's comments, for its author and admins.
waiting = { $count ->
    [one] { $count } comment is waiting for your approval.
   *[other] { $count } comments are waiting for your approval.
}
