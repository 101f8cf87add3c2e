// The canonical line: push the control node's /bin/date to every node, run it there,
// and stream one "nX: <date>" line per node. The script ends when every node's date has ended.
nodes.each { it.push('/bin/date').run() }
