/** `Embed`: Caffe's EmbedLayer with its bias term (nn.Embedding has none). */
export const EMBED_SOURCE = `class Embed(nn.Embedding):
    """Caffe's Embed layer with bias_term: the rows of weight picked by the ids, plus bias.

    weight is [input_dim, num_output], Caffe's layout; forward takes the ids as
    integers (Caffe's float ids truncated, as its static_cast<int> does).
    """

    def __init__(self, num_embeddings, embedding_dim):
        super().__init__(num_embeddings, embedding_dim)
        self.bias = nn.Parameter(torch.zeros(embedding_dim))

    def forward(self, ids):
        return super().forward(ids) + self.bias`;
