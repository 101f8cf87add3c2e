// Fan out one command, then fold identical outputs under their node set (dshbak -c style)
// and keep every node's exit code.
def job = nodes.run('/bin/uname', '-sm').waitFor()

job.byOutput().each { set, text ->
    println "---- ${set} (${set.size()} nodes)"
    print text
}
println "exit codes: ${job.exitCodes}"
println "failed: ${job.failed.isEmpty() ? 'none' : job.failed}"

// Results are node sets you can act on: run again where it worked.
def again = job.succeeded.run('/bin/echo', 'still here').waitFor()
println "ran again on ${again.succeeded}"
