# Lesson 01 checks, run inside the lab VM. One PASS/FAIL line per check.
. /lab/lib.sh

info=$(modinfo /lab/hello.ko 2>&1)
echo "$info" | sed "s/^/modinfo: /"
for key in "author: *The netlink course" "description: *Lesson 01" "license: *GPL"; do
  echo "$info" | grep -q "$key" || missing="$missing [$key]"
done
[ -z "$missing" ] && pass modinfo || fail modinfo "modinfo lacks$missing"

check loads insmod /lab/hello.ko
check listed loaded hello
check_logged hello-logged "^hello: Hello, kernel!"

ahead_ok=1
prev="^hello: Hello, kernel!"
for name in 02-greet 03-tlv 04-nlattr 05-rtm 06-multicast 07-rtnetlink 08-genetlink; do
  in_order "$prev" "^hello: lesson ahead: $name\$" || ahead_ok=0
  prev="^hello: lesson ahead: $name\$"
done
[ $ahead_ok = 1 ] && pass lessons-ahead || fail lessons-ahead "$(klog | grep '^hello:' | tr '\n' '|')"

check unloads sh -c 'rmmod hello && ! grep -q "^hello " /proc/modules'
check goodbye-logged in_order "^hello: Hello, kernel!" "^hello: Goodbye, kernel! [0-9][0-9]* lessons to go\.\$"
check_logged lessons-kept "^hello: Goodbye, kernel! 7 lessons to go\.\$"
check no-oops no_oops
