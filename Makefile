# The two commands of the README: `make run` and `make test`. Both install what they need.
.PHONY: run test build setup bench

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

build:
	bash scripts/build.sh

setup:
	bash scripts/setup.sh
