# Counted problems with a form (Project Fluent: `$count` picks the form). The count
# is the limit the problem names.

name_too_long = { $count ->
    [one] Keep the name to { $count } character or fewer.
   *[other] Keep the name to { $count } characters or fewer.
}
bio_too_long = { $count ->
    [one] Keep this to { $count } character or fewer.
   *[other] Keep this to { $count } characters or fewer.
}
password_too_short = { $count ->
    [one] Use at least { $count } character.
   *[other] Use at least { $count } characters.
}
password_too_long = { $count ->
    [one] Use at most { $count } character.
   *[other] Use at most { $count } characters.
}
title_too_long = { $count ->
    [one] Keep the title to { $count } character or fewer.
   *[other] Keep the title to { $count } characters or fewer.
}
tag_too_long = { $count ->
    [one] Keep each tag to { $count } character or fewer.
   *[other] Keep each tag to { $count } characters or fewer.
}
too_many_tags = { $count ->
    [one] Use at most { $count } tag.
   *[other] Use at most { $count } tags.
}
body_too_many_elements = { $count ->
    [one] The text has more than { $count } element: split it into several posts.
   *[other] The text has more than { $count } elements: split it into several posts.
}
# $count: the megapixels allowed.
image_too_large = { $count ->
    [one] The image is { $width } × { $height } pixels, more than the { $count } megapixel allowed.
   *[other] The image is { $width } × { $height } pixels, more than the { $count } megapixels allowed.
}
# $count: the megapixels that would fit; $needed and $allowed: megabytes.
image_needs_too_much_memory = { $count ->
    [one] The image is { $width } × { $height } pixels and needs { $needed } MB to convert, more than the { $allowed } MB allowed here: save it smaller (at most { $count } megapixel) or as an 8-bit JPEG.
   *[other] The image is { $width } × { $height } pixels and needs { $needed } MB to convert, more than the { $allowed } MB allowed here: save it smaller (at most { $count } megapixels) or as an 8-bit JPEG.
}
