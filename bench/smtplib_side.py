#!/usr/bin/env python3
"""The reference for bulk delivery: Python's smtplib sending N messages over one connection with
STARTTLS and AUTH, as Django's send_mass_mail() does. Prints the seconds it took.

    smtplib_side.py HOST PORT CAFILE USER PASSWORD COUNT
"""
import ssl
import smtplib
import sys
import time
from email.message import EmailMessage

host, port, cafile, user, password, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
context = ssl.create_default_context(cafile=cafile)


def message(i):
    # About the size and shape of an activation mail: text and HTML alternatives, a Korean subject.
    m = EmailMessage()
    m["From"] = "회원관리 <%s>" % user
    m["To"] = "smtplib%d@example.com" % i
    m["Subject"] = "smtplib%d님의 회원가입 인증메일 입니다." % i
    url = "http://localhost:8000/users/activate/MTIz/dmz0zz-0123456789abcdef0123456789abcdef/"
    m.set_content("안녕하세요. 아래 링크를 눌러 인증을 마쳐 주세요.\n\n%s\n" % url)
    m.add_alternative("<p>안녕하세요. <a href=\"%s\">인증하기</a></p>\n" % url, subtype="html")
    return m


messages = [message(i) for i in range(count)]
start = time.perf_counter()
with smtplib.SMTP(host, port, timeout=30) as connection:
    connection.starttls(context=context)
    connection.login(user, password)
    for m in messages:
        connection.send_message(m)
print(time.perf_counter() - start)
