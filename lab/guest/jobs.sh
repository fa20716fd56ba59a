# The lab's job runner: runs several jobs in one boot of the VM, one after
# the other (the course tool stages it as /lab/jobs.sh and boots with
# lab.run=jobs.sh). A job is a folder /lab/jobs/N holding a lesson's modules
# (*.ko), programs (bin/*) and scripts (NN-check.sh ...), and three files:
# `run`, the script to run, `timeout`, its limit in seconds, and `label`,
# what it is (for people reading the console).
#
# For each job, in the order of N, the runner puts the job's files in place
# (/lab/hello.ko, /lab/bin/greet, /lab/01-check.sh, as links into the job's
# folder, so a job's script finds them where a one-lesson run has them), runs
# the script and prints, for the host to read:
#   LAB: job N begin: LABEL               (LABEL: the job's `label` file)
#   LAB: job N end (exit STATUS)          or
#   LAB: job N timed out after S s
# and, before a job's end line, `LAB: kernel report: ...` for each report of
# a bug the job left in the kernel log (lib.sh's kernel_reports).
# Before every job but the first, it undoes what the previous one left:
# its processes, modules, network devices, files in /tmp and the kernel
# log. A module that cannot be unloaded would change what the next job
# sees: then the runner stops with `LAB: job N not run: ...`, and the host
# boots again for the jobs that did not run. A crash stops the VM in the middle of a job: the host sees
# a begin without an end, and boots again for the rest.

. /lab/lib.sh

# The programs every job has (nlprobe, nlconform), in /lab/common/bin.
link_job() {
  rm -f /lab/*.ko /lab/[0-9][0-9]-*.sh
  rm -rf /lab/bin /lab/fuzz && mkdir /lab/bin
  # The student's kept fuzz inputs (lib.sh's fuzz_module replays them).
  if [ -d "$1/fuzz" ]; then ln -s "$1/fuzz" /lab/fuzz; fi
  for f in /lab/common/bin/* "$1"/bin/*; do [ -e "$f" ] && ln -sf "$f" /lab/bin/; done
  for f in "$1"/*.ko "$1"/[0-9][0-9]-*.sh; do [ -e "$f" ] && ln -s "$f" /lab/; done
}

# Leaves the VM as a fresh boot has it, as far as a job can tell.
reset() {
  # Every process but init and this script: monitors left running, a
  # program stuck waiting for a reply.
  kill -9 -1 2>/dev/null
  sleep 0.2
  for m in $(cut -d' ' -f1 /proc/modules); do rmmod "$m" 2>/dev/null; done
  # Network devices a job made (lesson 07's dummies), and their routes.
  for l in $(ls /sys/class/net); do [ "$l" = lo ] || ip link del "$l" 2>/dev/null; done
  rm -rf /tmp/* /home/student/* /home/student/.[!.]* 2>/dev/null
  dmesg -c >/dev/null
  # (Debug kernel) leaks found from now on are the next job's.
  [ -w /sys/kernel/debug/kmemleak ] && echo clear >/sys/kernel/debug/kmemleak
}

# The kernel's reports of bugs the job left in its log (debug kernel:
# lockdep, KASAN, kmemleak; the console may not have shown them), as init
# prints them after a one-script run: inside the job, so that they fail it.
report() {
  if [ -f /tmp/.lab-kmemleak-scanned ]; then
    klog | grep -E "$REPORT_SIGNS"
    cat /sys/kernel/debug/kmemleak
  else
    kernel_reports
  fi | sed 's/^/LAB: kernel report: /'
}

first=1
for n in $(ls /lab/jobs | sort -n); do
  dir=/lab/jobs/$n
  if [ $first = 0 ]; then
    reset
    left=$(cut -d' ' -f1 /proc/modules | tr '\n' ' ')
    if [ -n "$left" ]; then
      echo "LAB: job $n not run: module(s) ${left% } of the previous job could not be unloaded"
      exit 0
    fi
  fi
  first=0
  link_job "$dir"
  limit=$(cat "$dir/timeout")
  echo "LAB: job $n begin: $(cat "$dir/label")"
  start=$(date +%s)
  # A job may set how long the fuzz checks send (lib.sh's FUZZ_SECONDS).
  fuzz=""
  if [ -f "$dir/fuzz_seconds" ]; then fuzz="FUZZ_SECONDS=$(cat "$dir/fuzz_seconds")"; fi
  env $fuzz timeout -s KILL "$limit" sh "/lab/$(cat "$dir/run")"
  status=$?
  if [ $status = 137 ] && [ $(($(date +%s) - start)) -ge "$limit" ]; then
    echo "LAB: job $n timed out after $limit s"
  else
    report
    echo "LAB: job $n end (exit $status)"
  fi
done
