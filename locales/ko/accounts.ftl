# 계정 화면의 수를 세는 문구(Project Fluent).

recovery_codes_left = 남은 복구 코드 { $count }개.
# 비밀번호 칸의 이름. $count: 비밀번호의 최소 글자 수.
password_with_length = 비밀번호 ({ $count }자 이상)
new_password_with_length = 새 비밀번호 ({ $count }자 이상)
