# Counted strings of the account pages (Project Fluent: `$count` picks the form).

recovery_codes_left = { $count ->
    [one] { $count } recovery code left.
   *[other] { $count } recovery codes left.
}
