/// Keras's default initial weights for the study's network, drawn from one seeded random source in a fixed
/// order: LSTM kernel, recurrent kernel, Dense kernel.
public enum KerasInitializers {
    /// Glorot-uniform: U(−limit, limit) with `limit = √(6 / (fanIn + fanOut))`, row-major `[fanIn × fanOut]`.
    public static func glorotUniform(fanIn: Int, fanOut: Int, using random: inout RandomSource) -> [Double] {
        let limit = (6 / Double(fanIn + fanOut)).squareRoot()
        return (0..<(fanIn * fanOut)).map { _ in random.nextUniform(-limit, limit) }
    }

    /// Orthogonal (gain 1) for a `[rows × columns]` matrix, as Keras: draw a standard normal matrix of shape
    /// `(max(r, c), min(r, c))`, take Q of its QR factorisation with columns sign-corrected by diag(R) (so that
    /// diag(R) > 0), and transpose when `rows < columns`. Q is computed by modified Gram–Schmidt with one
    /// re-orthogonalisation pass, which yields exactly that sign-corrected Q.
    public static func orthogonal(rows: Int, columns: Int, using random: inout RandomSource) -> [Double] {
        let tall = max(rows, columns), narrow = min(rows, columns)
        // a: [tall × narrow], row-major.
        var a = (0..<(tall * narrow)).map { _ in random.nextStandardNormal() }
        for column in 0..<narrow {
            for _ in 0..<2 {
                for previous in 0..<column {
                    var dot = 0.0
                    for row in 0..<tall { dot += a[row * narrow + previous] * a[row * narrow + column] }
                    for row in 0..<tall { a[row * narrow + column] -= dot * a[row * narrow + previous] }
                }
            }
            var norm = 0.0
            for row in 0..<tall { norm += a[row * narrow + column] * a[row * narrow + column] }
            norm = norm.squareRoot()
            for row in 0..<tall { a[row * narrow + column] /= norm }
        }
        if rows >= columns { return a }
        // Transpose [columns × rows] → [rows × columns].
        var transposed = [Double](repeating: 0, count: rows * columns)
        for row in 0..<rows {
            for column in 0..<columns { transposed[row * columns + column] = a[column * narrow + row] }
        }
        return transposed
    }

    /// The study's initial weights: kernel Glorot-uniform (fan-in lag, fan-out 4u), recurrent kernel orthogonal,
    /// LSTM bias zero except the forget slice = 1 (`unit_forget_bias`), Dense kernel Glorot-uniform, Dense bias 0.
    public static func initialParameters(for shape: NetworkShape, using random: inout RandomSource) -> [Double] {
        let layout = ParameterLayout(shape)
        var parameters = [Double](repeating: 0, count: layout.count)
        let gates = shape.gateWidth
        parameters.replaceSubrange(layout.kernel, with: glorotUniform(fanIn: shape.lag, fanOut: gates, using: &random))
        parameters.replaceSubrange(
            layout.recurrentKernel, with: orthogonal(rows: shape.units, columns: gates, using: &random))
        for unit in 0..<shape.units { parameters[layout.bias.lowerBound + shape.units + unit] = 1 }
        parameters.replaceSubrange(layout.denseKernel, with: glorotUniform(fanIn: shape.units, fanOut: 1, using: &random))
        return parameters
    }
}
