# Lesson 02 demo: load the module, greet it, read the kernel's side of it.
. /lab/lib.sh

show insmod /lab/greet.ko
show greet send --ack "Hello, kernel!" "How are you?"
show greet send --sockets 2 "two sockets, two port ids"
show klog_of greet
show rmmod greet
