# pubconv: the two commands a new user runs (see README.md).
#   make demo   installs pubconv and its runtime libraries into .venv and converts the sample commentary into out/demo
#   make test   installs the test tools too and runs the tests (make test-network: the tests that need a package index)
# System packages are checked first, as any user can (no root needed to look): the demo needs WeasyPrint's
# Pango/HarfBuzz, fontconfig and the text face; the tests also need Java (EPUBCheck), poppler, xmllint,
# LibreOffice, Chromium and npm (Ace by DAISY).
# As root with apt-get they are installed; otherwise the command to run is printed.

PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
RUNTIME_PACKAGES = python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-texgyre \
                   fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji  # the scripts beside Latin (docs/pdf.md)
# Tests only: EPUBCheck (Java), poppler, xmllint; LibreOffice makes one of the .docx fixtures again
# (tests/readers/test_docx.py); Chromium lays EPUB pages out and Ace by DAISY (tools/ace, from npm) checks them.
TEST_PACKAGES    = default-jdk-headless poppler-utils libxml2-utils libreoffice-writer-nogui chromium npm
APT_PACKAGES     = $(RUNTIME_PACKAGES) $(TEST_PACKAGES)  # all of them, as README.md lists them

.PHONY: demo test test-network sysdeps sysdeps-runtime testdeps install bench clean

demo: sysdeps-runtime $(VENV)/.installed-runtime
	$(VENV)/bin/pubconv convert fixtures/sample/comment-118.md --to pdf,epub,jats,xml -o out/demo
	@echo "open out/demo/comment-118.pdf"

# One test process per CPU, at most four (pytest-xdist; each keeps its own EPUBCheck JVM of ~300 MB),
# each test file in one process (its fixtures built once).
test: sysdeps testdeps $(VENV)/.installed-test
	$(PY) -m pytest -q -m "not network" -n auto --maxprocesses 4 --dist loadfile

# The tests that need a package index (building and installing the wheel, pre-commit's own environment).
test-network: sysdeps $(VENV)/.installed-test
	$(PY) -m pytest -q -m network

install: $(VENV)/.installed-runtime

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	touch $@

# pubconv and the libraries it runs with: all the demo needs.
$(VENV)/.installed-runtime: pyproject.toml $(VENV)/.created
	$(PY) -m pip install -q -e .
	touch $@

# The test tools as well (pytest, EPUBCheck, pikepdf, pre-commit...).
$(VENV)/.installed-test: pyproject.toml $(VENV)/.created
	$(PY) -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed-runtime

# Each check is a command or a shared library, looked up as any user can: libraries through Python's
# ctypes.util.find_library (which asks /sbin/ldconfig itself: ldconfig is not on a user's PATH).
# SYSDEPS_TEST=1 adds the test tools. A missing one is installed as root with apt-get; otherwise the
# command to run is printed (and, without apt-get, what to look for in another package manager).
sysdeps-runtime:
	@$(MAKE) --no-print-directory _sysdeps SYSDEPS_TEST=

sysdeps:
	@$(MAKE) --no-print-directory _sysdeps SYSDEPS_TEST=1

.PHONY: _sysdeps
_sysdeps:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || { \
	  echo "pubconv needs Python >= 3.10 as '$(PYTHON)' (or: make PYTHON=/path/to/python3.11 ...)"; exit 1; }
	@lib() { $(PYTHON) -c "import ctypes.util, sys; sys.exit(not ctypes.util.find_library('$$1'))" 2>/dev/null; }; \
	missing=""; \
	$(PYTHON) -c 'import ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	lib pango-1.0 || missing="$$missing libpango-1.0-0"; \
	lib pangoft2-1.0 || missing="$$missing libpangoft2-1.0-0"; \
	lib harfbuzz-subset || missing="$$missing libharfbuzz-subset0"; \
	command -v fc-list >/dev/null || missing="$$missing fontconfig"; \
	fc-list 2>/dev/null | grep -q 'TeX Gyre Pagella' || missing="$$missing fonts-texgyre"; \
	fc-list 2>/dev/null | grep -q 'Noto Serif Devanagari' || missing="$$missing fonts-noto-core"; \
	fc-list 2>/dev/null | grep -q 'Noto Serif CJK' || missing="$$missing fonts-noto-cjk"; \
	fc-list 2>/dev/null | grep -q 'Noto Color Emoji' || missing="$$missing fonts-noto-color-emoji"; \
	if [ -n "$(SYSDEPS_TEST)" ]; then \
	  command -v java >/dev/null && command -v javac >/dev/null || missing="$$missing default-jdk-headless"; \
	  command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	  command -v xmllint >/dev/null || missing="$$missing libxml2-utils"; \
	  command -v soffice >/dev/null || missing="$$missing libreoffice-writer-nogui"; \
	  command -v chromium >/dev/null || missing="$$missing chromium"; \
	  command -v npm >/dev/null || missing="$$missing npm"; \
	fi; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing system packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	elif command -v apt-get >/dev/null; then \
	  echo "missing system packages:$$missing"; \
	  echo "run: sudo apt-get install -y$$missing"; exit 1; \
	else \
	  echo "missing (Debian/Ubuntu names):$$missing"; \
	  echo "This machine has no apt-get: install the same things with its package manager, then rerun make:"; \
	  echo "  Python venv support; Pango >= 1.44 with HarfBuzz's subset library and fontconfig (WeasyPrint's"; \
	  echo "  needs: https://doc.courtbouillon.org/weasyprint/stable/first_steps.html); the TeX Gyre Pagella font and Noto (Core, CJK, Color Emoji);"; \
	  echo "  for the tests a JDK (java and javac), poppler's pdftotext/pdftoppm, libxml2's xmllint and LibreOffice."; \
	  echo "  e.g. Fedora: sudo dnf install pango harfbuzz fontconfig texlive-tex-gyre java-latest-openjdk-devel \\"; \
	  echo "       poppler-utils libxml2;  macOS: brew install pango harfbuzz fontconfig openjdk poppler libxml2"; \
	  echo "       and the font from https://www.gust.org.pl/projects/e-foundry/tex-gyre/pagella"; \
	  exit 1; \
	fi

# Chromium (Debian's: Ace's own browser download is switched off) and Ace by DAISY, for the EPUB tests.
testdeps: sysdeps tools/ace/node_modules/.installed

tools/ace/node_modules/.installed: tools/ace/package.json tools/ace/package-lock.json
	cd tools/ace && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Writes docs/performance.md (well over half an hour on 2 CPUs; `benchmarks/run.py --quick` for fewer repetitions).
bench: sysdeps $(VENV)/.installed-test
	$(PY) -m pip install -q -e '.[test,bench]'
	$(PY) benchmarks/run.py

clean:
	rm -rf out build dist .pytest_cache
