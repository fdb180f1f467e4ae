#!/usr/bin/env python3
"""What a person does with the link in the mail, as a browser does it: opens the page
(waiting up to 10 s for the server to be up), checks that it names the account, and presses
its button (the form's POST, with the Origin a browser sends).

    python3 Tests/docs/click.py URL USER_ID
"""
import html.parser
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


class Form(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.action, self.fields, self.inside = None, {}, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post" and self.action is None:
            self.action, self.inside = attrs.get("action", ""), True
        elif tag == "input" and self.inside and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def main(url, user_id):
    deadline = time.monotonic() + 10
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                page = response.read().decode("utf-8")
            break
        except (ConnectionError, urllib.error.URLError) as error:
            if isinstance(error, urllib.error.HTTPError) or time.monotonic() > deadline:
                sys.exit(f"click: {url}: {error}")
            time.sleep(0.1)
    if user_id not in page:
        sys.exit(f"click: the page does not name {user_id}:\n{page}")
    form = Form()
    form.feed(page)
    if form.action is None:
        sys.exit(f"click: the page has no form to press:\n{page}")
    target = urllib.parse.urljoin(url, form.action)
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(url))
    request = urllib.request.Request(target, data=urllib.parse.urlencode(form.fields).encode(), method="POST",
                                     headers={"Origin": origin, "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            print(f"click: {response.status} from the button", file=sys.stderr)
    except urllib.error.HTTPError as error:
        sys.exit(f"click: the button's POST: {error.code} {error.read().decode('utf-8', 'replace')}")


if __name__ == "__main__":
    main(*sys.argv[1:])
