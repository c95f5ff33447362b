import Testing

@testable import App

@Suite struct AddressGuardTests {
    @Test(arguments: [
        ("0.0.0.0", AddressGuard.Refusal.unspecified), ("127.0.0.1", .loopback), ("127.255.0.9", .loopback),
        ("10.0.0.1", .privateNetwork), ("172.16.0.1", .privateNetwork), ("172.31.255.255", .privateNetwork),
        ("192.168.0.1", .privateNetwork), ("169.254.1.1", .linkLocal), ("169.254.169.254", .metadata),
        ("100.64.0.1", .sharedAddressSpace), ("100.127.255.254", .sharedAddressSpace), ("100.100.100.200", .metadata),
        ("224.0.0.1", .multicast), ("239.255.255.250", .multicast), ("255.255.255.255", .reserved),
        ("240.0.0.1", .reserved), ("192.0.2.1", .reserved),
        ("::", .unspecified), ("::1", .loopback), ("fe80::1", .linkLocal), ("fc00::1", .privateNetwork),
        ("fd12:3456::1", .privateNetwork), ("ff02::1", .multicast), ("fd00:ec2::254", .metadata),
        ("::ffff:127.0.0.1", .loopback), ("::ffff:10.1.2.3", .privateNetwork), ("::ffff:169.254.169.254", .metadata),
        ("::ffff:7f00:1", .loopback), ("64:ff9b::a9fe:a9fe", .metadata), ("2002:0a00:0001::1", .privateNetwork),
        ("::127.0.0.1", .loopback), ("[::1]", .loopback), ("2001:db8::1", .reserved), ("not an address", .reserved),
        // IPv4-translated, Teredo (server in clear, client inverted) and 6to4 around refused IPv4 addresses.
        ("::ffff:0:127.0.0.1", .loopback), ("::ffff:0:a9fe:a9fe", .metadata), ("2001:0:7f00:1::", .loopback),
        ("2001:0:808:808::80ff:fffe", .loopback), ("2001:0:808:808::f5ff:fffe", .privateNetwork),
        ("2002:7f00:1::", .loopback), ("2002:a9fe:a9fe::1", .metadata),
    ])
    func refusesNonPublicAddresses(address: String, reason: AddressGuard.Refusal) {
        #expect(AddressGuard.refusal(forAddress: address) == reason)
    }

    @Test(arguments: [
        "93.184.215.14", "8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255", "100.63.255.255", "100.128.0.1",
        "169.253.0.1", "2606:4700:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "64:ff9b::808:808",
        "::ffff:0:8.8.8.8", "2001:0:808:808::f7f7:f7f7", "2002:808:808::1",
    ])
    func allowsPublicAddresses(address: String) {
        #expect(AddressGuard.refusal(forAddress: address) == nil)
    }
}
