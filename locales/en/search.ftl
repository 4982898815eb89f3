# Counted strings of the search page (Project Fluent: `$count` picks the form).

# How many posts the search found, one or more.
results = { $count ->
    [one] { $count } post found.
   *[other] { $count } posts found.
}
# $count: the most characters a search may have.
too_long = { $count ->
    [one] A search can be at most { $count } character long.
   *[other] A search can be at most { $count } characters long.
}
