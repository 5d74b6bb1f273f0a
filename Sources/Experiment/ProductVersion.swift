/// The product's version, recorded with every experiment and checkpoint.
public let lstmlabVersion = "0.2.0"
