# accounts — build, test, install, demo.
SWIFT   ?= swift
PYTHON  ?= python3
PREFIX  ?= /usr/local
VENV    ?= .venv
DEMO    ?= demo

DEBUG_BIN   = .build/debug/accounts
RELEASE_BIN = .build/release/accounts
RELEASE_SERVE = .build/release/accounts-serve

.PHONY: all deps build-deps deb-deps build debug test bench fuzz mutants demo share install uninstall deb deb-check clean

all: build

# What building needs, from Debian: the C libraries' -dev packages (OpenSSL 3, SQLite, libpq) and
# pkg-config. Only what is missing. `make demo` installs no more than this.
build-deps:
	@scripts/install-deps.sh build

# What the tests need besides: the sqlite3 and openssl commands, the servers the tests start in
# temporary directories (Postfix, Dovecot, PostgreSQL, PgBouncer), a headless Chromium with its
# driver and a Korean font for serve's browser tests, wrk for the bench.
deps:
	@scripts/install-deps.sh test

# The Swift runtime and Foundation linked in statically: a process starts in about half the
# time (the bench's empty-database list: ~8 ms instead of ~20) and needs no Swift toolchain to run.
# Both executables: accounts, and accounts-serve, which `accounts serve` runs.
build: build-deps
	$(SWIFT) build -c release --static-swift-stdlib --product accounts
	$(SWIFT) build -c release --static-swift-stdlib --product accounts-serve

debug: build-deps
	$(SWIFT) build

# Django (the live cross-check), psycopg (Django on PostgreSQL, through the system libpq),
# aiosmtpd (a real SMTP server for the tests), prometheus_client (parses /metrics), selenium
# (drives Chromium), html5lib (checks the pages) and gunicorn (Django's side of the bench), from
# PyPI. The stamp names the list, so that a longer list installs what an older .venv lacks.
VENV_PACKAGES = 'django>=5.2,<5.3' 'aiosmtpd>=1.4,<2' 'psycopg>=3.1,<4' 'prometheus_client>=0.20,<1' 'selenium>=4.20,<5' 'gunicorn>=22,<24' 'html5lib>=1.1,<2'
$(VENV)/.installed: Makefile
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check $(VENV_PACKAGES)
	touch $@

# Django 6.1 for the cross-check (DjangoCrossCheckTests): its wheel unpacked, as 6.x needs
# Python 3.12 and .venv's is Debian 12's 3.11 (djangoenv.use_django_from makes it import).
DJANGO61 = $(VENV)/django-6.1
$(DJANGO61)/django/__init__.py: | $(VENV)/.installed
	$(VENV)/bin/pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: --python-version 3.12 \
		'django>=6.1,<6.2' -d $(VENV)/wheels
	$(VENV)/bin/python -m zipfile -e $$(ls $(VENV)/wheels/django-6.1*.whl | tail -1) $(DJANGO61)

# ACCOUNTS_STRICT: the project's own code builds with warnings as errors (Package.swift).
test: deps $(VENV)/.installed $(DJANGO61)/django/__init__.py
	ACCOUNTS_STRICT=1 ACCOUNTS_TEST_PYTHON=$(CURDIR)/$(VENV)/bin/python ACCOUNTS_TEST_DJANGO61=$(CURDIR)/$(DJANGO61) \
		$(SWIFT) test --disable-swift-testing

# Side by side with Django, sqlite3 and openssl on this machine: a table and bench/results.json.
# BENCH_BEFORE=path/to/an/older/release/accounts adds the cold-start comparison with it;
# BENCH_ONLY=empty,serve runs only those sections (bench/run.py --help lists them).
BENCH_ROWS ?= 1000000
BENCH_BEFORE ?=
BENCH_ONLY ?=
bench: deps build $(VENV)/.installed
	$(VENV)/bin/python bench/run.py --accounts $(RELEASE_BIN) --micro .build/release/accounts-bench --rows $(BENCH_ROWS) \
		$(if $(BENCH_BEFORE),--accounts-before $(BENCH_BEFORE)) $(if $(BENCH_ONLY),--only $(BENCH_ONLY))

# libFuzzer targets (Tests/fuzz): activation-link, uid, token, smtp-reply, each for FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz: deps
	Tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# One-line mutations each of which some test must catch (Tests/mutants/mutants.txt), applied to
# a copy of the tree in .build/mutants/tree, never to this one. MUTANTS=smoke (or a regex on
# the names) runs some; the last line counts them. docs/testing.md says how long all take.
MUTANTS ?=
mutants: deps $(VENV)/.installed $(DJANGO61)/django/__init__.py
	Tests/mutants/mutants.py --check
	ACCOUNTS_TEST_PYTHON=$(CURDIR)/$(VENV)/bin/python ACCOUNTS_TEST_DJANGO61=$(CURDIR)/$(DJANGO61) \
		MUTANTS='$(MUTANTS)' Tests/mutants/mutants.py

# The main job on the built-in defaults, in ./demo: a fresh database and secrets file,
# register a user (mail into demo/outbox), activate from the printed link, list. Builds the
# accounts executable alone, in debug without debug information and without the Serve trait
# (so the server's packages are neither fetched nor built): the quickest build there is.
# `make install` builds both executables again, in release.
demo: build-deps
	$(SWIFT) build --disable-default-traits --product accounts -debug-info-format none
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	cd $(DEMO) && ../$(DEBUG_BIN) init
	cd $(DEMO) && url=$$(../$(DEBUG_BIN) register hong hong@example.com) && \
		echo "activation link: $$url" && ls outbox && \
		../$(DEBUG_BIN) activate "$$url"
	cd $(DEMO) && ../$(DEBUG_BIN) list

# Shell completions and the man page, generated from the ArgumentParser definitions into .build/share.
SHARE = .build/share
share: build
	$(SWIFT) build -c release --static-swift-stdlib --product generate-manual
	scripts/share.sh $(SHARE) $(RELEASE_BIN) .build/release/generate-manual

install: build share
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/accounts $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d $(DESTDIR)$(PREFIX)/share/doc/accounts
	install -m 0755 -s $(RELEASE_BIN) $(DESTDIR)$(PREFIX)/bin/accounts
	install -m 0755 -s $(RELEASE_SERVE) $(DESTDIR)$(PREFIX)/libexec/accounts/accounts-serve
	install -m 0644 $(SHARE)/accounts.1 $(DESTDIR)$(PREFIX)/share/man/man1/accounts.1
	install -m 0644 $(SHARE)/accounts.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/accounts
	install -m 0644 $(SHARE)/_accounts $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_accounts
	install -m 0644 $(SHARE)/accounts.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/accounts.fish
	install -m 0644 secrets.example.json $(DESTDIR)$(PREFIX)/share/doc/accounts/secrets.example.json

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/accounts $(DESTDIR)$(PREFIX)/libexec/accounts/accounts-serve $(DESTDIR)$(PREFIX)/share/man/man1/accounts.1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/accounts $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_accounts \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/accounts.fish $(DESTDIR)$(PREFIX)/share/doc/accounts/secrets.example.json

# The Debian package, with Debian's own tools (debhelper, dpkg-buildpackage), into .build/deb/:
# both executables, the man page, completions, systemd units, /etc/accounts/settings.json
# (debian/). lintian checks it; debian/lintian-overrides says why for what it still reports.
VERSION := $(shell dpkg-parsechangelog -S Version 2>/dev/null || sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog)
DEB = .build/deb/accounts_$(VERSION)_amd64.deb
deb-deps: build-deps
	@scripts/install-deps.sh deb

deb: deb-deps
	dpkg-buildpackage -b -us -uc --no-sign
	mkdir -p .build/deb
	mv ../accounts_$(VERSION)_amd64.deb ../accounts_$(VERSION)_amd64.buildinfo ../accounts_$(VERSION)_amd64.changes .build/deb/
	lintian --fail-on error,warning --info $(DEB)

# What CI does with the package (as root): install it, check its units, run the demo's flow with
# the installed binaries as the package's user, remove it, and check the data stayed.
deb-check: deb
	scripts/check-deb.sh $(DEB)

clean:
	rm -rf .build $(DEMO)
