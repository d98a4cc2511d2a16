# Adkeep. `make run` runs the app; `make test` runs every test;
# `make bench` measures. All install what is missing first (Debian/Ubuntu).

.PHONY: run test bench deps

run:
	scripts/run.sh

test:
	scripts/test.sh

bench:
	scripts/bench.sh

deps:
	scripts/deps.sh test
