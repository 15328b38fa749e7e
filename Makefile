# hull: build, test and install. `make demo` and `make test` work on a fresh machine.
PREFIX ?= /usr/local
PNPM_VERSION := 10.34.9
ROOTFS := build/rootfs
# Debian packages the build and the tests use: networks use the CNI plugins,
# iptables and iproute2; images tests run a real registry
# (docker-registry), put images there with skopeo, make htpasswd files
# (apache2-utils) and token-signing certificates (openssl); build tests
# compare with buildah; zstd makes the zstd layers of the images tests;
# bzip2, xz-utils and gzip make the compressed tarballs hullctl import takes.
APT_PACKAGES := busybox-static runc libseccomp2 containernetworking-plugins iptables nftables iproute2 docker-registry skopeo apache2-utils openssl containerd buildah zstd bzip2 xz-utils gzip

.PHONY: all setup deps build native ts rootfs demo test test-unit install uninstall bench conformance clean

all: build

# Everything a fresh machine lacks: pnpm, the Debian packages, the node modules.
setup: .stamp-apt .stamp-deps

.stamp-apt:
	@if [ "$$(id -u)" = 0 ]; then \
	  missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi; \
	else echo "setup: not root, skipping Debian packages ($(APT_PACKAGES))"; fi
	touch $@

.stamp-deps: package.json pnpm-lock.yaml $(wildcard packages/*/package.json conformance/package.json)
	command -v pnpm >/dev/null || npm install -g --no-fund --no-audit pnpm@$(PNPM_VERSION)
	pnpm install --frozen-lockfile --reporter=append-only
	touch $@

build: setup native ts rootfs

native:
	$(MAKE) -C native

ts:
	pnpm exec tsc -b packages/*/tsconfig.json $(wildcard conformance/tsconfig.json)
	node scripts/protos.js
	node scripts/bundle.js
	@# `hull --version` prints the commit it was built from (runc's "commit:" line).
	@git describe --always --dirty --abbrev=12 > packages/runtime/lib/commit 2>/dev/null || rm -f packages/runtime/lib/commit
	@# `hullctl --version` prints the short commit, as docker does ("build ced0996").
	@git rev-parse --short HEAD > packages/cli/lib/commit 2>/dev/null || rm -f packages/cli/lib/commit

rootfs: $(ROOTFS)/bin/busybox

$(ROOTFS)/bin/busybox: scripts/make-rootfs.sh
	bash scripts/make-rootfs.sh $(ROOTFS)

# Builds everything, then runs a busybox container through hull.
demo: build
	bash scripts/demo.sh

test: build
	bash scripts/test.sh

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	ln -sf $(CURDIR)/packages/runtime/bin/hull $(DESTDIR)$(PREFIX)/bin/hull
	for b in packages/shim/bin/hull-shim packages/shim/bin/containerd-shim-hull-v2 packages/cli/bin/hullctl; do [ -e $$b ] && ln -sf $(CURDIR)/$$b $(DESTDIR)$(PREFIX)/bin/ || true; done

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/hull $(DESTDIR)$(PREFIX)/bin/hull-shim $(DESTDIR)$(PREFIX)/bin/containerd-shim-hull-v2 $(DESTDIR)$(PREFIX)/bin/hullctl

bench: build
	node bench/runtime.js
	if [ -f bench/shim.js ]; then node bench/shim.js; fi
	node bench/network.js
	node bench/images.js
	node bench/build.js
	if command -v containerd >/dev/null; then node bench/containerd.js; fi

# The OCI conformance suite against RUNTIME (default hull; RUNTIME=runc, or "hull runc" for both side by side).
conformance: build
	env -u NODE_OPTIONS -u NODE_EXTRA_CA_CERTS RUNTIME="$(or $(RUNTIME),hull)" node conformance/bin/conformance.js $(CONFORMANCE_ARGS)

clean:
	$(MAKE) -C native clean
	rm -rf build packages/*/lib conformance/lib .stamp-*

# The runtime's cgroup tests on a pure cgroup v2 host: a QEMU guest that shares this tree
# (vm/README.md). The smoke test proves the guest itself; emulation is ~15x slower, hence the timeout.
.PHONY: test-cgroup2
test-cgroup2: build
	bash vm/run.sh --timeout 600 bash vm/smoke.sh
	bash vm/run.sh --timeout 2400 node node_modules/jest/bin/jest.js 'packages/runtime/(src|test)/cgroups' --ci --selectProjects runtime --testTimeout=600000

# Long security runs (packages/runtime/test/security/): the config fuzzer (FUZZ_RUNS configs, FUZZ_SEED to replay)
# and the fault harness (create killed every FAULT_STEP_MS up to FAULT_MAX_MS, then HULL_FAULT_AFTER_OP=1..FAULT_MAX_OPS).
.PHONY: fuzz faults
fuzz: build
	FUZZ_RUNS=$${FUZZ_RUNS:-10000} pnpm exec jest packages/runtime/test/security/fuzz.test.ts --ci

faults: build
	FAULT_STEP_MS=$${FAULT_STEP_MS:-10} FAULT_MAX_MS=$${FAULT_MAX_MS:-1500} FAULT_MAX_OPS=$${FAULT_MAX_OPS:-150} FAULT_LIFECYCLE_MS=$${FAULT_LIFECYCLE_MS:-0,10,20,40,60,80,100,150,200,300,400,600,800} pnpm exec jest packages/runtime/test/security/faults.test.ts --ci
