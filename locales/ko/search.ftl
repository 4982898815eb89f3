# 검색 화면의 수를 세는 문구(Project Fluent).

results = 글 { $count }개를 찾았습니다.
