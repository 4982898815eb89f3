# 양식의 문제 가운데 수를 세는 문구(Project Fluent). $count는 문제가 말하는 한도입니다.

name_too_long = 이름은 { $count }자 이하로 써 주세요.
bio_too_long = { $count }자 이하로 써 주세요.
password_too_short = { $count }자 이상으로 정하세요.
password_too_long = { $count }자 이하로 정하세요.
title_too_long = 제목은 { $count }자 이하로 써 주세요.
tag_too_long = 태그는 하나에 { $count }자 이하로 써 주세요.
too_many_tags = 태그는 { $count }개까지 달 수 있습니다.
body_too_many_elements = 본문의 요소가 { $count }개를 넘습니다. 글을 여러 개로 나눠 주세요.
# $count: 허용하는 메가픽셀.
image_too_large = 이미지가 { $width } × { $height } 픽셀로, 허용 한도 { $count }메가픽셀보다 큽니다.
# $count: 들어갈 수 있는 메가픽셀, $needed와 $allowed: 메가바이트.
image_needs_too_much_memory = 이미지가 { $width } × { $height } 픽셀로, 변환에 { $needed }MB가 필요해 여기서 허용하는 { $allowed }MB를 넘습니다. 더 작게({ $count }메가픽셀 이하) 또는 8비트 JPEG로 저장해 주세요.
