// A gproc inventory: node names -> node daemon (gprocd) host and port; groups are node sets used as @name.
// Use it with: gproc -i samples/inventory.groovy exec -w @compute -- uname -r
cluster {
    knownHosts = 'known_hosts'          // OpenSSH known_hosts vouching for the nodes' host keys (relative to this file)
    identity = 'id_ed25519'             // the control node's OpenSSH Ed25519 private key
}
nodes {
    head { host = 'head.example.org'; port = 5640 }
    'n[01-16]' { host = '10.1.0.1'; port = 17001 }     // a node set key: ports 17001, 17002, ... in node order
    'gpu[1-4]' { port = 5640 }                         // no host: each node is its own host, all on port 5640
}
groups {
    compute = 'n[01-16]'
    gpu = 'gpu[1-4]'
    all = 'head,n[01-16],gpu[1-4]'
}
