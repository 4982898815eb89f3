# Counted strings of the account pages (Project Fluent: `$count` picks the form).

recovery_codes_left = { $count ->
    [one] { $count } recovery code left.
   *[other] { $count } recovery codes left.
}
# Labels of password fields; $count: the fewest characters a password may have.
password_with_length = { $count ->
    [one] Password (at least { $count } character)
   *[other] Password (at least { $count } characters)
}
new_password_with_length = { $count ->
    [one] New password (at least { $count } character)
   *[other] New password (at least { $count } characters)
}
