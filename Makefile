# The netlink course. `make` alone lists what you can do.
#
# Everything lesson-related goes through the course tool (course/); the lab
# (the VM and its kernel) is lab/. Lessons are numbered: make lesson-1, check-1...

COURSE := cargo run --quiet -p course --
MDBOOK := $(HOME)/.cargo/bin/mdbook

.PHONY: help setup list shell rust-analyzer gen grade grade-class handout book serve test test-host test-lab test-classroom test-trace test-debug bench bench-grade
.DEFAULT_GOAL := help

help:
	@echo "The netlink course: Linux netlink sockets in Rust, userspace and kernel."
	@echo
	@echo "For students:"
	@echo "  make setup          install the lab's packages and build the lab kernel (once; how long:"
	@echo "                      the book's chapter The lab, \"What make setup does\")"
	@echo "  make lesson-N       build lesson N (your code), boot the lab, show the exchange"
	@echo "  make check-N        run lesson N's checks on your code: what passes, what fails, hints"
	@echo "  make watch-N        check lesson N again each time you save a file of it (q quits)"
	@echo "  make diff-N         your code of lesson N against the reference solution"
	@echo "  make solution-N     like lesson-N, with the reference solution"
	@echo "  make trace-N        lesson N's demo with every netlink message listed, and saved for Wireshark"
	@echo "  make list           the lessons, their exercises, your progress"
	@echo "  make shell          an interactive lab VM with every lesson's modules and programs"
	@echo "                      (or piped: echo 'insmod /lab/hello.ko; dmesg' | make shell)"
	@echo "  make gdb-N          lesson N's demo under gdb, on the debug kernel (LAB_DEBUG=1)"
	@echo "  LAB_DEBUG=1 make check-N   lesson N's checks on the debug kernel (lockdep, KASAN, kmemleak)"
	@echo "  make rust-analyzer  rust-analyzer for kmods/: kmods/rust-project.json (see book: The lab)"
	@echo "  make book / serve   build the book into book/build/ / read it at http://localhost:3000"
	@echo "  make grade          every lesson's checks in one lab boot: reports in target/grade/"
	@echo
	@echo "For instructors (the book's chapter \"For instructors\"):"
	@echo "  make handout DIR=path [SOLUTIONS=1,2]   a student repository, without (most) solutions"
	@echo "  make grade-class CLASS=dir [LESSONS=1]  grade every submission in dir, sandboxed"
	@echo "  make bench-grade    figures: seconds to grade a student, and a class of 30"
	@echo
	@echo "For course authors:"
	@echo "  make gen            make lessons/ and kmods/ from solutions/ (the starter code)"
	@echo "  make test           the whole test suite (what CI runs)"
	@echo "  make bench          figures: cold set-up, warm edit loop, lesson 05 routes/s"

setup:
	$(COURSE) setup

lesson-%:
	$(COURSE) run $*

solution-%:
	$(COURSE) run $* --solution

check-%:
	$(COURSE) check $*

trace-%:
	$(COURSE) trace $*

diff-%:
	$(COURSE) diff $*

watch-%:
	$(COURSE) watch $*

grade:
	$(COURSE) grade $(if $(LESSONS),--lessons $(LESSONS))

grade-class:
	@[ -n "$(CLASS)" ] || { echo "usage: make grade-class CLASS=folder-of-submissions"; exit 2; }
	$(COURSE) grade --class "$(CLASS)" $(if $(LESSONS),--lessons $(LESSONS))

handout:
	@[ -n "$(DIR)" ] || { echo "usage: make handout DIR=new-folder [SOLUTIONS=1,2]"; exit 2; }
	$(COURSE) handout "$(DIR)" $(if $(SOLUTIONS),--solutions $(SOLUTIONS))

list:
	@$(COURSE) list

shell:
	$(COURSE) shell

gdb-%:
	$(COURSE) gdb $*

rust-analyzer:
	@bash lab/setup.sh --editor
	$(COURSE) rust-analyzer

gen:
	$(COURSE) gen

# The book's tools (mdbook, mdbook-mermaid) are installed here, not by the
# lessons' set-up: a lesson never waits for them.
book:
	@bash lab/setup.sh --book
	bash book/check.sh

serve:
	@bash lab/setup.sh --book
	$(MDBOOK) serve book

# The test suite: host tests and lints first (fast), then the lab, then the
# debug kernel (built the first time: about 12 minutes on 2 cores).
test: test-host test-lab test-trace test-debug
	@echo "make test: all passed"

test-host:
	bash lab/setup.sh --lab --book --browser --editor --grade
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --quiet -- -D warnings
	cargo test --workspace --quiet
	$(COURSE) gen --check
	python3 checks/08-genetlink/spec.py
	bash book/check.sh
	$(MDBOOK) test book
	bash book/browser-check.sh

test-lab: test-classroom
	bash lab/test.sh
	$(COURSE) verify
	bash lab/selftest.sh
	bash checks/fuzz/proof.sh

# Every lesson's checks on the solutions, on the debug kernel: any lockdep,
# KASAN or kmemleak report fails them. Then proof that each kind is caught.
test-debug:
	LAB_DEBUG=1 bash lab/selftest.sh
	for d in checks/[0-9]*-*/; do \
	  n=$${d#checks/}; LAB_DEBUG=1 $(COURSE) check $${n%%-*} --solution || exit 1; \
	done

# Grading, class grading with hostile submissions, the handout: in the lab.
test-classroom:
	cargo test --quiet -p course --test classroom -- --ignored --test-threads=1

# Lesson 02's demo traced: each GREET with NLM_F_ACK has its GREET_REPLY and
# its ACK (same seq, to the sender's port), found by our decoder and by tshark.
test-trace:
	$(COURSE) trace 2 --solution
	cargo run --quiet -p nltrace -- expect target/trace/02-greet.pcap --request GREET --reply GREET_REPLY --tshark

bench:
	bash lab/bench.sh

bench-grade:
	$(COURSE) bench-grade
