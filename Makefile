# pubconv: the two commands a new user runs (see README.md).
#   make demo   installs everything into .venv and converts the sample commentary into out/demo
#   make test   installs everything into .venv and runs the tests
# System packages (WeasyPrint's Pango/HarfBuzz, the text face, Java for EPUBCheck, poppler for the
# PDF tests) are checked first; as root they are installed with apt-get, otherwise the
# apt-get line to run is printed.

PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
APT_PACKAGES = python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-texgyre \
               fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji \
               default-jdk-headless poppler-utils libxml2-utils

.PHONY: demo test sysdeps install bench clean

demo: sysdeps $(VENV)/.installed
	$(VENV)/bin/pubconv convert fixtures/sample/comment-118.md --to pdf,epub,jats,xml -o out/demo
	@echo "open out/demo/comment-118.pdf"

test: sysdeps $(VENV)/.installed
	$(PY) -m pytest -q

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# Each check is a command or a library; the package that provides it is installed when missing.
sysdeps:
	@missing=""; \
	$(PYTHON) -c 'import ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	ldconfig -p | grep -q 'libpango-1.0.so' || missing="$$missing libpango-1.0-0"; \
	ldconfig -p | grep -q 'libpangoft2-1.0.so' || missing="$$missing libpangoft2-1.0-0"; \
	ldconfig -p | grep -q 'libharfbuzz-subset.so' || missing="$$missing libharfbuzz-subset0"; \
	fc-list 2>/dev/null | grep -q 'TeX Gyre Pagella' || missing="$$missing fonts-texgyre"; \
	fc-list 2>/dev/null | grep -q 'Noto Serif Devanagari' || missing="$$missing fonts-noto-core"; \
	fc-list 2>/dev/null | grep -q 'Noto Serif CJK' || missing="$$missing fonts-noto-cjk"; \
	fc-list 2>/dev/null | grep -q 'Noto Color Emoji' || missing="$$missing fonts-noto-color-emoji"; \
	command -v java >/dev/null && command -v javac >/dev/null || missing="$$missing default-jdk-headless"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	command -v xmllint >/dev/null || missing="$$missing libxml2-utils"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing system packages:$$missing"; \
	    echo "run: sudo apt-get install -y $(APT_PACKAGES)"; exit 1; \
	  fi; \
	fi

# Writes docs/performance.md (about 15 minutes on 2 CPUs; `benchmarks/run.py --quick` for fewer repetitions).
bench: sysdeps $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test,bench]'
	$(PY) benchmarks/run.py

clean:
	rm -rf out build dist .pytest_cache
