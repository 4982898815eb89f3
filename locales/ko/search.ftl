# 검색 화면의 수를 세는 문구(Project Fluent).

results = 글 { $count }개를 찾았습니다.
# $count: 검색어의 최대 글자 수.
too_long = 검색어는 { $count }자까지 입력할 수 있습니다.
