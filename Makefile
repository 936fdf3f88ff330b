# Conveyor: two commands for a newcomer, `make up` and `make test`.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

.PHONY: help up down test bench chaos build lint typecheck unit integration deps clean events

help:
	@echo "make up      install what is missing, start RabbitMQ, PostgreSQL, Redis, gateway and worker"
	@echo "make down    stop them (data stays in .data/dev)"
	@echo "make test    lint, type-check, unit and integration tests on a stack of their own"
	@echo "make bench   broker baseline vs Conveyor end to end, on a stack of its own"
	@echo "make chaos   kills and adversities under load on a cluster of its own (CHAOS_SECONDS=600)"
	@echo "make events  publish generated casino events to the dev stack (ARGS='--rate 200 --seconds 30')"

# `npm install --no-save` installs the locked versions. Not `npm ci`: npm 11.16+ rejects its own
# lockfile when a registry lacks some platform's optional binaries (npm/cli#9846).
node_modules/.installed: package.json package-lock.json
	npm install --no-save --no-audit --no-fund
	@touch $@

deps: node_modules/.installed
	@bash scripts/stack.sh install

build: deps
	npm run build

up: build
	bash scripts/stack.sh up dev
	bash scripts/apps.sh up

down:
	bash scripts/apps.sh down
	bash scripts/stack.sh down dev

lint: deps
	npm run lint

typecheck: deps
	npm run typecheck

unit: deps
	npm run test:unit

integration: build
	npm run test:int

test: lint typecheck unit integration

bench: build
	bash scripts/bench.sh

chaos: build
	bash scripts/chaos.sh

events: build
	node dist/tools/events-generator.js $(ARGS)

clean: down
	rm -rf dist .data
