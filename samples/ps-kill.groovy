// XCPU's xps and xk from a script: start sleepers in the background, find them in the
// cluster's process table, and kill them from here.
def sleepers = nodes.command('/bin/sleep').args(300).start()
sleepers.processes*.pid()                       // wait until every one runs

def mine = cluster.ps().findAll { it.argv.contains('sleep') && it.argv.contains('300') }
mine.each { println "${it.id}  pid ${it.pid}  ${it.state}  ${it.argv}" }

mine*.kill('TERM')
sleepers.waitFor()
println sleepers                                  // job 1: n[1-4] signal 15
