# 글의 수를 세는 문구(Project Fluent).

reading_time = { $count }분 분량
