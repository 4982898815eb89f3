# 댓글의 수를 세는 문구(Project Fluent).

waiting = 승인을 기다리는 댓글: { $count }개
body_too_long = 댓글은 { $count }자 이하로 써 주세요.
name_too_long = 이름은 { $count }자 이하로 써 주세요.
