# 관리 화면의 수를 세는 문구(Project Fluent). 한국어는 수에 따라 꼴이 바뀌지 않습니다.

files_and_bytes = 파일 { $count }개, { $size }
bytes = { $count }바이트
gc_freed = 미디어 GC가 파일 { $count }개를 지워 { $size }를 비웠습니다.
# 지운 계정과 함께 지워진 글의 수(감사 기록).
post_count = 글 { $count }개
# 어떤 주소로 보낸 대기 중인 초대를 취소하기 전에 묻는 페이지.
revoke_question = { $email }에게 보낸 초대 { $count }개를 취소할까요?
