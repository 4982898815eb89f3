# Counted strings of the search page (Project Fluent: `$count` picks the form).

# How many posts the search found, one or more.
results = { $count ->
    [one] { $count } post found.
   *[other] { $count } posts found.
}
