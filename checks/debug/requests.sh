# Guest script of lab/selftest.sh: loads module $1 (clean or a mutant),
# sends it ten requests on protocol 31 from ten processes one after the
# other, unloads it, and looks for kernel reports.
. /lab/lib.sh
m=$1
check loads insmod "/lab/$m.ko"
i=0
while [ $i -lt 10 ]; do
  nlprobe valid --wait-ms 20 >/dev/null
  i=$((i + 1))
done
check unloads rmmod "$m"
check served logged "^$m: 10 requests served"
check no-oops no_oops
