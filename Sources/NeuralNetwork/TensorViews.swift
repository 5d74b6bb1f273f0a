/// The five tensors of one flat buffer (parameters, gradients or a moment, in `ParameterLayout` order) as pointers:
/// the named views the layers read and write.
@frozen public struct TensorViews<V> {
    /// [lag × 4u]
    public let kernel: UnsafeMutablePointer<V>
    /// [u × 4u]
    public let recurrentKernel: UnsafeMutablePointer<V>
    /// [4u]
    public let bias: UnsafeMutablePointer<V>
    /// [u]
    public let denseKernel: UnsafeMutablePointer<V>
    /// [1]
    public let denseBias: UnsafeMutablePointer<V>

    @inlinable @inline(__always)
    public init(_ base: UnsafeMutablePointer<V>, _ layout: ParameterLayout) {
        kernel = base + layout.kernel.lowerBound
        recurrentKernel = base + layout.recurrentKernel.lowerBound
        bias = base + layout.bias.lowerBound
        denseKernel = base + layout.denseKernel.lowerBound
        denseBias = base + layout.denseBias.lowerBound
    }
}
