# Lesson 04 demo: register people with attributes, then break the rules.
. /lab/lib.sh

show insmod /lab/person.ko
show person set --name Ada --age 36 --street "Baker Street" --city London
show person set --name Grace --city Arlington
show person set --dump --name Ada --age 36 --street "Baker Street" --city London
show person set --age 36
show person set --name "a name much longer than thirty-one bytes"
# NAME as 7 bytes: a header and "Ada" without its NUL (then one byte of padding).
show nlprobe valid --type 35 --hex 0700010041646100
show rmmod person
show klog_of person
