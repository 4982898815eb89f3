# 댓글의 수를 세는 문구(Project Fluent).

waiting = 승인을 기다리는 댓글: { $count }개
