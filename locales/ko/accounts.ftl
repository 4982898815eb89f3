# 계정 화면의 수를 세는 문구(Project Fluent).

recovery_codes_left = 남은 복구 코드 { $count }개.
