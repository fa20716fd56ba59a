# Lesson 06 demo: two monitors watch a session of changes.
. /lab/lib.sh

show insmod /lab/rtm_notify.ko
rtm monitor --count 6 >/tmp/root.events 2>&1 & p1=$!
su student -c "rtm monitor --count 6 --join bind" >/tmp/student.events 2>&1 & p2=$!
sleep 1
show rtm table add main
show rtm route add main 10.1.1.0/24 via 11.1.1.1 dev eth0/6
show rtm route replace main 10.1.1.0/24 via 12.1.1.1 dev eth1
show rtm route add main 0.0.0.0/0 via 11.1.1.254 dev eth2
show rtm route del main 10.1.1.0/24
show rtm table add spare
sleep 1
show cat /tmp/root.events
show cat /tmp/student.events
show klog_of rtm_notify
# A monitor still waiting (it saw fewer than 6 events) holds a socket of
# protocol 31, and an open socket keeps the module loaded: end it first.
kill $p1 $p2 2>/dev/null
wait
show rmmod rtm_notify
