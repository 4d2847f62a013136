/**
 * `Lstm`: caffe_ocr's own `Lstm` layer (Junhyuk Oh's LSTM, senlinuc/caffe_ocr
 * src/caffe/layers/lstm_layer_Junhyuk.cpp:18-72 and Forward_gpu in lstm_layer_Junhyuk.cu:124-184),
 * not BVLC's LSTM: input [T, N, I], zero initial state, blobs in Caffe's layout — input weights
 * [4H, I], recurrent weights [4H, H], one bias [4H] — with the gates in the order i, f, o, g
 * (nn.LSTM orders them i, f, g, o and has two biases).
 */
export const LSTM_SOURCE = `class Lstm(nn.Module):
    """caffe_ocr's Lstm layer (lstm_layer_Junhyuk.cu:124-184): [T, N, I] -> [T, N, H].

    Blobs as Caffe keeps them: weight_i [4H, I], weight_h [4H, H], bias [4H],
    gates in the order input, forget, output, cell (i, f, o, g); the state
    starts at zero for every forward.
    """

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.weight_i = nn.Parameter(torch.zeros(4 * hidden_size, input_size))
        self.weight_h = nn.Parameter(torch.zeros(4 * hidden_size, hidden_size))
        self.bias = nn.Parameter(torch.zeros(4 * hidden_size))

    def forward(self, x):
        steps, batch, size = x.shape[0], x.shape[1], self.hidden_size
        gates_x = torch.matmul(x.reshape(steps * batch, -1), self.weight_i.t()) + self.bias
        gates_x = gates_x.reshape(steps, batch, 4 * size)
        h = x.new_zeros(batch, size)
        c = x.new_zeros(batch, size)
        out = []
        for t in range(steps):
            gates = gates_x[t] + torch.matmul(h, self.weight_h.t()) if t > 0 else gates_x[t]
            i, f, o, g = gates.split(size, 1)
            c = torch.sigmoid(i) * torch.tanh(g) + (torch.sigmoid(f) * c if t > 0 else 0)
            h = torch.sigmoid(o) * torch.tanh(c)
            out.append(h)
        return torch.stack(out)

    def extra_repr(self):
        return "input_size={}, hidden_size={}".format(self.weight_i.shape[1], self.hidden_size)`;
