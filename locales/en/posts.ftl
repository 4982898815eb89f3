# Counted strings of the posts (Project Fluent: `$count` picks the form).

# "min" is the same for one minute or many.
reading_time = { $count } min read
