package org.gproc.transport.ssh

/** Whether the OpenSSH binaries specs drive are installed; specs that need them are skipped, saying why, if not. */
class OpenSshPresent {
    static boolean tools(List<String> names = ['ssh', 'ssh-keygen']) {
        List<String> path = (System.getenv('PATH') ?: '').split(File.pathSeparator) as List
        names.every { n -> path.any { new File(it, n).canExecute() } }
    }
}
