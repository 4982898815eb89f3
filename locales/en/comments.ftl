# Counted strings of the comments (Project Fluent: `$count` picks the form).

# Above a post's comments, for its author and admins.
waiting = { $count ->
    [one] { $count } comment is waiting for your approval.
   *[other] { $count } comments are waiting for your approval.
}
body_too_long = { $count ->
    [one] Keep the comment to { $count } character or fewer.
   *[other] Keep the comment to { $count } characters or fewer.
}
name_too_long = { $count ->
    [one] Keep the name to { $count } character or fewer.
   *[other] Keep the name to { $count } characters or fewer.
}
